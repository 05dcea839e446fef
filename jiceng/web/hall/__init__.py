"""Pages of the medical-insurance service network (hall module): the queue and the network."""
