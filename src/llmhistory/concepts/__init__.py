"""The ideas the chapters teach, one module each, named after the idea.

===================  ===================================================================
module               idea (chapter)
===================  ===================================================================
``decoding``         logits to a choice: softmax, greedy, temperature, top-k, top-p (1)
``next_token``       the next-token loop shown as tables: candidates, policies (1)
``prompts``          tasks written as text to continue: label, translation, chat prompts (1)
``masks``            causal, bidirectional and padding attention masks (2)
``shapes``           the shape of every tensor on the way from tokens to logits (3)
``scaling``          6ND, tokens per parameter, Chinchilla's fitted loss and optimum (4)
``preferences``      preference pairs and the reward-model (Bradley-Terry) loss (5)
``precision``        bytes of weights per precision, GiB, which GPU holds them (6)
``finetuning``       memory to fine-tune: Adam, LoRA, QLoRA (6)
``models``           architectures: ``ModelConfig`` (also the tiny model's), parameter counts (6-8)
``moe``              Mixture-of-Experts routing, load and capacity (7)
``kv_cache``         the KV cache: layout, bytes, GQA/MQA, budgets, serving, the cache object (8)
``flash_attention``  bytes of attention scores and of a FlashAttention tile (8)
``rope``             rotary position embeddings (9)
``reasoning``        inference-time compute: samples, votes, latency and cost (10)
``long_context``     lost in the middle and prompt assembly under a token budget (11)
``scorecard``        choosing a model: weighted criteria and what flips the choice (12)
``figures``          the book's figures, one module per concept above
===================  ===================================================================

Modules here import only ``llmhistory._validate`` and each other, never the tiny model or
the book's machinery.
"""
