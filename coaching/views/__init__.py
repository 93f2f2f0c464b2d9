"""Server-rendered pages (Dutch). The JSON API lives in coaching.api."""
