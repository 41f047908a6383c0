"""Score every way of combining the attribution rules with a tagger model on a PolNeAR folder.

    python bench/attribution_combine.py ../shared/data/polnear/dev [--model DIR]

One line per combination of the tagger's switches (exact and overlap F1 of source, cue and
content), then the rules alone, the tagger alone and the best combination, which is what
`communique train attribution` records in a new model's meta.json.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict
from pathlib import Path

from communique.attribution.tagger import default_model_path
from communique.eval.polnear import ROLES
from communique.eval.polnear_combinations import CombinationSearch, best


def line(name: str, exact: dict, overlap: dict) -> str:
    return (f"{name:72s} exact " + " ".join(f"{exact[r]['f1']:5.1f}" for r in ROLES)
            + "  overlap " + " ".join(f"{overlap[r]['f1']:5.1f}" for r in ROLES))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--model", type=Path, default=default_model_path())
    args = ap.parse_args()
    started = time.time()
    search = CombinationSearch.prepare(args.folder, args.model)
    print(f"parsed, tagged and ran the rules in {time.time() - started:.0f} s")
    scored = search.every_combination()
    for s in scored:
        name = ",".join(k for k, v in asdict(s.combination).items() if v) or "(nothing on)"
        print(line(name, s.exact, s.overlap), flush=True)
    rules = search.score(None)
    print(line("rules alone", rules.exact, rules.overlap))
    alone = search.tagger_alone()
    print(line("tagger alone", alone["exact"], alone["overlap"]))
    chosen = best(scored)
    print(line("best: " + ",".join(k for k, v in asdict(chosen.combination).items() if v), chosen.exact, chosen.overlap))


if __name__ == "__main__":
    main()
