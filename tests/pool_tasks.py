"""Batch functions for the worker-pool tests: module level, so that spawned workers can import them."""

from __future__ import annotations

import os

from communique.models import Article, Rejection


def echo_or_die(batch: list) -> list:
    """Each article as a Rejection carrying its text (a stand-in for analysis); a worker given an
    article whose text is "die" exits at once, as one killed by the kernel would."""
    if any(isinstance(item, Article) and item.text == "die" for item in batch):
        os._exit(1)
    return [Rejection(item.source, "echo " + item.text) if isinstance(item, Article) else item for item in batch]


def always_die(batch: list) -> list:
    os._exit(1)
