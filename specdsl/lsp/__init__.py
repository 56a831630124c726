"""``specc lsp``: the spec language server (diagnostics, hover, definition, completion, symbols, formatting).

:mod:`specdsl.lsp.model` and :mod:`specdsl.lsp.features` are plain functions over text (tested without a
client); :mod:`specdsl.lsp.server` wires them to the protocol with pygls (the extra ``specdsl[lsp]``).
"""
