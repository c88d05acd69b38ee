"""The MarathonError tree: every error a user can cause or meet, named for the fault."""


class MarathonError(Exception):
    """Base of every expected error; the CLI prints it and exits with status 1."""


class ConfigError(MarathonError):
    """A config file is missing, malformed or holds an invalid value.

    The message starts with ``path:line:col:`` so editors can jump to it.
    """

    def __init__(self, path: str, line: int | None, message: str, col: int | None = None):
        self.path, self.line, self.col, self.detail = path, line, col, message
        where = str(path)
        if line is not None:
            where += f":{line}"
            if col is not None:
                where += f":{col}"
        super().__init__(f"{where}: {message}")


class CurationError(MarathonError):
    """A curation command cannot do what was asked (the post is not featured, an empty reason)."""


class StoreError(MarathonError):
    """The store cannot be opened or is of an unknown, newer schema."""


class ImportFormatError(MarathonError):
    """A line of an imported JSONL file is not a valid post."""


class CrawlError(MarathonError):
    """A source could not be crawled; recorded per source, never fatal to a run."""


class BuildError(MarathonError):
    """The site could not be built; the previously published site is left in place."""
