"""Batch functions for the worker-pool tests: module level, so that spawned workers can import them."""

from __future__ import annotations

import os

from communique.models import Article, Rejection


def echo_or_die(batch: list) -> list:
    """Each article as a Rejection carrying its text (a stand-in for analysis); a worker given an
    article whose text is "die" exits at once, as one killed by the kernel would."""
    if any(isinstance(item, Article) and item.text == "die" for item in batch):
        os._exit(1)
    return [Rejection(item.source, "echo " + item.text.strip()) if isinstance(item, Article) else item for item in batch]


def always_die(batch: list) -> list:
    os._exit(1)


class DieOnce:
    """A batch function that kills its process the first time it sees `victim` (a marker file says
    it has), then echoes as `echo_or_die` does: a worker that dies mid-job."""

    def __init__(self, marker: str, victim: str):
        self.marker, self.victim = marker, victim

    def __call__(self, batch: list) -> list:
        victim_here = any(isinstance(item, Article) and item.text.strip() == self.victim for item in batch)
        if victim_here and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        return [Rejection(item.source, "echo " + item.text.strip()) if isinstance(item, Article) else item for item in batch]


class ExtractOrDie:
    """A stand-in for the pipeline without spaCy: each article becomes a one-event extraction of
    two fictional ministers (fusion_fixtures); a worker given `victim` dies, every time."""

    def __init__(self, victim: str | None = None):
        self.victim = victim

    def __call__(self, batch: list) -> list:
        from fusion_fixtures import MARSH, OTIENO, report

        out = []
        for item in batch:
            if not isinstance(item, Article):
                out.append(item)
                continue
            if item.text == self.victim:
                os._exit(1)
            day = 1 + len(item.text) % 5
            out.append(report(item.text, "Wire", f"2024-03-{day + 1:02d}", MARSH, OTIENO, f"2024-03-{day:02d}"))
        return out


def sleepy(batch: list) -> list:
    """A batch that takes a minute: the workers are busy when their parent is killed."""
    import time

    time.sleep(60)
    return batch
