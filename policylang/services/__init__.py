"""Long-running services over a policy tree: the language server (lsp.py) and the HTTP
decision service (http.py). Each needs an optional extra (`pip install policylang[lsp]`,
`policylang[serve]`); the commands that start them say so when it is missing."""
