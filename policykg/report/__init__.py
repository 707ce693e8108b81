"""The annual follow-up report, "Uppföljning av Internationellt program YYYY", generated from the graph.

:mod:`.data` gathers it with the named queries of ``queries/`` (every figure
names the query that computed it, with its parameters, and the listings of the
registry rows behind it); :mod:`.html` renders it with the templates of this
package (accessible SVG charts, each with its table of data); :mod:`.pdf`,
:mod:`.tables` (xlsx, JSON, CSV) write the other formats. Swedish by default,
English complete.
"""
