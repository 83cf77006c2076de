import sys
from pathlib import Path

from llmhistory.tiny.checkpoint import load_model
from llmhistory.tiny.evaluation import evaluate_labels, load_support_set
from llmhistory.tiny.tokenizer import BPETokenizer

d = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("src/llmhistory/tiny/data")
sets = sys.argv[2].split(",") if len(sys.argv) > 2 else ["dev"]
m = load_model(d / "tiny_decoder.safetensors")
tok = BPETokenizer.load(d / "tiny_tokenizer.json")
for name in sets:
    r = evaluate_labels(m, tok, load_support_set(name))
    print(name, f"{r.correct}/{len(r.tickets)} = {r.accuracy:.1%}")
    print(r.table())
    if name == "dev":
        for mm in r.mistakes():
            print("  ", mm)
