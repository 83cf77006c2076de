"""Proxy for corpus coverage: word-count Naive Bayes trained on the generator, scored on dev."""

import re
import sys
import time
from collections import Counter

import numpy as np

from llmhistory.tiny.corpus import LABELS, support_split
from llmhistory.tiny.evaluation import load_support_set

t0 = time.time()
split = support_split(
    n_train=int(sys.argv[1]) if len(sys.argv) > 1 else 20000, n_held_out=100, seed=0
)


def feats(m):
    w = re.findall(r"[a-z0-9']+", m.lower())
    return w + [a + "_" + b for a, b in zip(w, w[1:], strict=False)]


counts = {lab: Counter() for lab in LABELS}
prior = Counter()
for t in split.train:
    counts[t.label].update(feats(t.message))
    prior[t.label] += 1
vocab = set().union(*counts.values())
tot = {lab: sum(c.values()) for lab, c in counts.items()}


def pred(m):
    s = {
        lab: np.log(prior[lab])
        + sum(
            np.log((counts[lab][f] + 1) / (tot[lab] + len(vocab))) for f in feats(m) if f in vocab
        )
        for lab in LABELS
    }
    return max(s, key=s.get)


for name in sys.argv[2:] or ["dev"]:
    ts = load_support_set(name)
    ok = 0
    cm = np.zeros((3, 3), int)
    for t in ts:
        p = pred(t.message)
        cm[LABELS.index(t.label), LABELS.index(p)] += 1
        if p != t.label and name == "dev":
            print("  ", t.label, "->", p, t.message)
    print(
        name,
        f"NB {np.trace(cm)}/{len(ts)} = {np.trace(cm) / len(ts):.1%}",
        cm.tolist(),
        f"{time.time() - t0:.0f}s",
    )
