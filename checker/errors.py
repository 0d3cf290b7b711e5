"""Every error checker raises on purpose, in one place.

    CheckerError                 base: the CLI prints its message and exits 2
    ├── CorpusError              the corpus as a whole cannot be read
    │   └── NoArticlesError      nothing in the corpus could be processed
    ├── InputError               one input file is unusable (the run goes on without it)
    ├── ConfigError              a bad option or environment setting
    └── ExtractionError          an extractor failed on one article
        ├── ReplayMissError      no recorded extraction matches this article
        └── LLMError             the model endpoint failed after retries

Library code raises these; only `checker.cli` turns them into messages and exit codes.
Anything else escaping is a bug in checker, not a user mistake.
"""

from __future__ import annotations


class CheckerError(Exception):
    """Base of every error checker raises deliberately."""


class CorpusError(CheckerError):
    """The corpus cannot be read at all (missing folder, not a corpus)."""


class NoArticlesError(CorpusError):
    """Every input was unusable: there is nothing to check."""


class InputError(CheckerError):
    """One input file cannot be used; `path` names it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class ConfigError(CheckerError):
    """An option or environment setting is invalid."""


class ExtractionError(CheckerError):
    """An extractor could not produce claims for one article."""


class ReplayMissError(ExtractionError):
    """No recorded extraction matches this article, prompt and model."""


class LLMError(ExtractionError):
    """The model endpoint failed after retries, or kept answering invalid claims."""
