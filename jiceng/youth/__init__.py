"""Youth talent reserve (青苗计划): young people through the stages of party membership with
the rules checked by date, mentors, reserve cadres, practice platforms and volunteer
hours, the youth mediation studio, and the pipeline."""
