"""wiretrace: find where news text comes from.

>>> import wiretrace
>>> r = wiretrace.compare("Kerry said the talks in Rome went well on Tuesday.",
...                       "Kerry said the talks in Rome went well on Tuesday, officials said.")
>>> r.passages[0].kind
'verbatim'
"""

from .compare import compare, compare_tokens
from .config import CompareConfig, ScanConfig
from .errors import (BinaryInputError, ConfigError, DecodeError, IndexBusyError, InputError,
                     MissingExtraError, WiretraceError)
from .records import Comparison, Conflict, Document, Passage, Quote, Skipped, Span

__version__ = "0.1.0"
__all__ = [
    "compare", "compare_tokens", "CompareConfig", "ScanConfig", "Comparison", "Conflict",
    "Document", "Passage", "Quote", "Skipped", "Span", "WiretraceError", "InputError",
    "DecodeError", "BinaryInputError", "ConfigError", "IndexBusyError", "MissingExtraError",
    "__version__",
]
