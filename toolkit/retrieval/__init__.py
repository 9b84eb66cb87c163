"""Retrieval: offline embeddings, a Chroma knowledge store, idempotent ingest, metrics.

Heavy dependencies (chromadb, onnxruntime, langchain) load when this package is
imported, so the CLI imports it inside the commands that need it.
"""

from toolkit.retrieval.chunking import Chunk, FrontMatter, parse_front_matter, split_text
from toolkit.retrieval.embedder import Embedder
from toolkit.retrieval.endpoint import EndpointEmbeddings
from toolkit.retrieval.hashing import HashingEmbeddings
from toolkit.retrieval.ingest import IngestReport
from toolkit.retrieval.metrics import hit_at_k, mrr, ndcg, recall_at_k
from toolkit.retrieval.offline import OfflineEmbeddings
from toolkit.retrieval.project import ProjectRetrieval, ingest_project, open_project_store
from toolkit.retrieval.retriever import KnowledgeRetriever
from toolkit.retrieval.store import KnowledgeStore, Passage

__all__ = [
    "Chunk",
    "Embedder",
    "EndpointEmbeddings",
    "FrontMatter",
    "HashingEmbeddings",
    "IngestReport",
    "KnowledgeRetriever",
    "KnowledgeStore",
    "OfflineEmbeddings",
    "Passage",
    "ProjectRetrieval",
    "hit_at_k",
    "ingest_project",
    "mrr",
    "ndcg",
    "open_project_store",
    "parse_front_matter",
    "recall_at_k",
    "split_text",
]
