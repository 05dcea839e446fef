"""The synthetic demo county: 桐乡市 (330483) with its real towns, filled with synthetic villages,
grids, boundaries, organisations, sites and residents, and 吴兴区 (330502) as its neighbour.

Everything is deterministic from a seed. Entry points are in `jiceng.demo.seed`.
"""
