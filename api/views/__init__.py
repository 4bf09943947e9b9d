"""Pure view code for voter pages: no FastAPI, no database (results-view.js mirrors it)."""
