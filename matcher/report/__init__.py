"""The offline report of a result folder: ``report.html`` (map, charts, tables) and its workbook.

``data`` reads and checks the folder, ``charts`` and ``regionmap`` draw, ``page`` renders the
Jinja2 template shipped in ``templates/``; imports run in that order only.
"""
