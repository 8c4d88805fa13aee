"""Weak points that come back: review cards scheduled with FSRS (``cards``) and the
terminal review session (``mianshi review``)."""
