"""Corpus ingestion: files and folders of articles in, cleaned articles and passages out.

``load_corpus(paths)`` reads ``.txt``/``.md``, ``.html``, ``.json``, ``.jsonl`` and ``.csv``
files (AllSides JSON Lines directly), applies the metadata manifest beside them
(``articles.toml`` or ``articles.csv``), cleans each text (Unicode and white space,
boilerplate, captions, repeats), drops duplicate articles, and splits every article into
passages with character spans and reported-speech flags. Bad inputs are skipped with a
reason, never fatal. Each step lives in its own module:

- :mod:`~analysis.corpus.readers` and :mod:`~analysis.corpus.fields`: file formats, record fields
- :mod:`~analysis.corpus.manifest`: per-folder metadata and exclusions
- :mod:`~analysis.corpus.clean`: normalisation, boilerplate and caption patterns
- :mod:`~analysis.corpus.sentences`, :mod:`~analysis.corpus.passages`: spans
- :mod:`~analysis.corpus.speech`: quotations, attributions and speakers
- :mod:`~analysis.corpus.loader`: the orchestration, ids and duplicates
"""

from analysis.corpus.dates import normalise_date
from analysis.corpus.documents import Article, Corpus, Passage, Skipped, is_excluded
from analysis.corpus.fields import FieldMap
from analysis.corpus.loader import LoadedArticle, iter_corpus, load_corpus
from analysis.corpus.manifest import ManifestError

__all__ = [
    "Article",
    "Corpus",
    "FieldMap",
    "LoadedArticle",
    "ManifestError",
    "Passage",
    "Skipped",
    "is_excluded",
    "iter_corpus",
    "load_corpus",
    "normalise_date",
]
