"""The packs' download buttons: a PDF and a PowerPoint, each download recorded in the audit log."""

from __future__ import annotations

import streamlit as st

from renewal_radar.i18n import t
from renewal_radar.ui.session import audited

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def pack_downloads(files: tuple[bytes, bytes], name: str, key: str, **audit_fields) -> None:
    """Two buttons side by side: the pack as PDF and as PowerPoint, saved as ``name``.pdf / .pptx."""
    pdf, pptx = files
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(t("Download PDF"), audited(pdf, "pack_download", format="pdf", **audit_fields),
                         f"{name}.pdf", "application/pdf", key=f"{key}_pdf", on_click="ignore")
    right.download_button(t("Download PowerPoint"), audited(pptx, "pack_download", format="pptx", **audit_fields),
                          f"{name}.pptx", PPTX_MIME, key=f"{key}_pptx", on_click="ignore")
