"""Layer 3, rendering: the document model, Markdown, HTML, plots, tables, GitHub output."""
