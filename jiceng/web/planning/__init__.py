"""Planning pages: the tidal staffing plan of a hall and the service-circle plan of an item."""
