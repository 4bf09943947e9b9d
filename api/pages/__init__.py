"""Server-rendered HTML pages (they work without JavaScript)."""
