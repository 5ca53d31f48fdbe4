"""Views of comparisons and corpora: terminal (rich) and self-contained HTML."""
