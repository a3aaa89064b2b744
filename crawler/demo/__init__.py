"""The bundled offline demo: two small news sites (Japanese and English) and their server."""
