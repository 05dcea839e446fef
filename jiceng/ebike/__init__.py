"""E-bike fire safety (电动自行车全链条监管): buildings, e-bikes and batteries, charging places and
lift blockers, inspections, violations as cases, building colours, and each bike's chain
from sale to scrapping."""
