"""The Strategic Needs Assessment document: one self-contained HTML file and a PDF per area
(the partnership and each district), rendered from the disclosure-controlled `sna` tables only.

data (reads `sna`), narrative (numbers -> sentences by rule), figures and maps (static charts
through vl-convert), sections (what each SNA section shows), document (Jinja -> HTML, WeasyPrint
-> PDF), publish (one area or all of them into the reports directory). docs/report.md explains.
"""
