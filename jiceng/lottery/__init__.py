"""Welfare lottery (福利彩票): outlets and their staff, daily sales by game, the welfare fund
computed from each game's split on the day, prizes and the tax withheld, grants by category,
responsibility work, and the annual responsibility report built from these records."""
