"""Reports and films of stored runs.

- `packlaw.report.kit`: what every report shares (styles, bands, the page writer);
- `packlaw.report.runs`: the figures of one or more runs, from the store;
- `packlaw.report.film`: a recorded world drawn day by day, as GIF or MP4.
"""
