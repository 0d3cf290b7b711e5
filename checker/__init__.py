"""checker: find where news articles disagree with each other or with themselves."""

__version__ = "0.1.0"
