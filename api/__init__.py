"""The web application: JSON API, voter pages, admin, group sessions."""
