"""Import: read exports (encodings, xlsx, parquet), apply vendor presets, validate, load atomically."""

from renewal_radar.ingest.pipeline import (
    ImportResult,
    LoadedFile,
    ValidationReport,
    build_marts,
    import_folder,
    validate_folder,
)
from renewal_radar.ingest.validate import Message

__all__ = ["ImportResult", "LoadedFile", "Message", "ValidationReport", "build_marts", "import_folder",
           "validate_folder"]
