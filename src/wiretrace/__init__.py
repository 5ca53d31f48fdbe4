"""wiretrace: find where news text comes from.

>>> import wiretrace
>>> wire = ("Kerry said the talks in Rome went well on Tuesday, and that both sides would "
...         "meet again in Geneva next month to settle the ceasefire terms.")
>>> r = wiretrace.compare("ROME (Reuters) - " + wire, wire.replace("went well", "went very well"))
>>> r.relation, r.passages[0].kind
('wholly-derived', 'edited')
"""

from .compare import compare, compare_tokens
from .config import CompareConfig, ScanConfig
from .errors import (
                     BinaryInputError,
                     ConfigError,
                     DecodeError,
                     IndexBusyError,
                     InputError,
                     MissingExtraError,
                     WiretraceError,
)
from .records import Comparison, Conflict, Document, Passage, Quote, Skipped, Span

__version__ = "0.1.0"
__all__ = [
    "compare", "compare_tokens", "CompareConfig", "ScanConfig", "Comparison", "Conflict",
    "Document", "Passage", "Quote", "Skipped", "Span", "WiretraceError", "InputError",
    "DecodeError", "BinaryInputError", "ConfigError", "IndexBusyError", "MissingExtraError",
    "__version__",
]
