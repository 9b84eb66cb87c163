"""A self-contained HTML page of a fleet table: inline CSS and script, no network.

The rows are rendered on the server (every text through `html.escape`); a small inline
script sorts them by a clicked column and hides the ones the filters exclude. The sort and
the filters live in the page's fragment (``#sort=cost:desc&template=finance&q=acme``), so a
filtered view is a link that can be shared, bookmarked or opened by a headless browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Cell", "Column", "Table", "render_page"]


@dataclass(frozen=True)
class Column:
    """A column of the main table."""

    key: str
    label: str
    numeric: bool = False
    filter: bool = False
    """Offer a drop-down of this column's values."""


@dataclass(frozen=True)
class Cell:
    """A shown text and the value it sorts by (a number for numeric columns)."""

    text: str
    sort: float | str | None = None
    css: str = ""


@dataclass(frozen=True)
class Table:
    """A plain summary table (not sortable)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric_from: int = 1


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:24px;border-bottom:1px solid #dde}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dde;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f3f4f8}.num{text-align:right;
font-variant-numeric:tabular-nums}.wrap{overflow-x:auto}.muted{color:#667}
#fleet th{cursor:pointer;user-select:none;white-space:nowrap}
#fleet td:first-child{white-space:nowrap}
#fleet th[aria-sort=ascending]::after{content:" \\25B2"}
#fleet th[aria-sort=descending]::after{content:" \\25BC"}
.controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:12px 0}
.good{color:#0a7a32;font-weight:600}.bad{color:#b3261e;font-weight:600}.warn{color:#9a6700}
"""

# Sorting and filtering only reorder and hide rows the server rendered; nothing is fetched.
_SCRIPT = """
(function(){
const table=document.getElementById('fleet'),body=table.tBodies[0];
const heads=[...table.tHead.rows[0].cells],rows=[...body.rows];
const selects=[...document.querySelectorAll('select[data-filter]')];
const search=document.getElementById('q'),shown=document.getElementById('shown');
let sortKey=null,sortDir='asc';
function readHash(){
  const p=new URLSearchParams(location.hash.slice(1));
  const s=(p.get('sort')||'').split(':');
  if(s[0]&&heads.some(h=>h.dataset.key===s[0])){sortKey=s[0];sortDir=s[1]==='desc'?'desc':'asc';}
  selects.forEach(el=>{const v=p.get(el.dataset.filter);
    if(v!==null&&[...el.options].some(o=>o.value===v))el.value=v;});
  if(p.get('q')!==null)search.value=p.get('q');
}
function writeHash(){
  const p=new URLSearchParams();
  if(sortKey)p.set('sort',sortKey+':'+sortDir);
  selects.forEach(el=>{if(el.value)p.set(el.dataset.filter,el.value);});
  if(search.value)p.set('q',search.value);
  history.replaceState(null,'','#'+p.toString());
}
function value(row,key){
  const cell=row.querySelector('td[data-key="'+key+'"]');
  return cell?cell.dataset.v:'';
}
function apply(){
  if(sortKey){
    const numeric=heads.find(h=>h.dataset.key===sortKey).dataset.numeric==='1';
    const sign=sortDir==='desc'?-1:1;
    rows.sort((a,b)=>{
      const x=value(a,sortKey),y=value(b,sortKey);
      if(numeric){const fx=x===''?-Infinity:+x,fy=y===''?-Infinity:+y;
        return sign*(fx-fy)||0;}
      return sign*x.localeCompare(y);
    });
    rows.forEach(r=>body.appendChild(r));
  }
  heads.forEach(h=>h.setAttribute('aria-sort',h.dataset.key===sortKey?
    (sortDir==='asc'?'ascending':'descending'):'none'));
  const q=search.value.trim().toLowerCase();
  let count=0;
  rows.forEach(r=>{
    const ok=selects.every(el=>!el.value||value(r,el.dataset.filter)===el.value)&&
      (!q||r.textContent.toLowerCase().includes(q));
    r.hidden=!ok;if(ok)count++;
  });
  shown.textContent=count+' of '+rows.length;
}
heads.forEach(h=>h.addEventListener('click',()=>{
  if(sortKey===h.dataset.key){sortDir=sortDir==='asc'?'desc':'asc';}
  else{sortKey=h.dataset.key;sortDir=h.dataset.numeric==='1'?'desc':'asc';}
  apply();writeHash();
}));
selects.forEach(el=>el.addEventListener('change',()=>{apply();writeHash();}));
search.addEventListener('input',()=>{apply();writeHash();});
window.addEventListener('hashchange',()=>{readHash();apply();});
readHash();apply();
})();
"""


def _summary(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(v)}</td>'
            if i >= table.numeric_from
            else f"<td>{escape(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    return (
        f'<h2>{escape(table.title)}</h2><div class="wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _cell(column: Column, cell: Cell) -> str:
    sort = cell.sort if cell.sort is not None else cell.text
    if isinstance(sort, float):
        sort = repr(sort)
    classes = " ".join(c for c in ("num" if column.numeric else "", cell.css) if c)
    css = f' class="{classes}"' if classes else ""
    return (
        f'<td data-key="{escape(column.key)}" data-v="{escape(str(sort))}"{css}>'
        f"{escape(cell.text)}</td>"
    )


def render_page(
    *,
    title: str,
    intro: Sequence[str],
    columns: Sequence[Column],
    rows: Sequence[dict[str, Cell]],
    summaries: Sequence[Table] = (),
    noun: str = "rows",
) -> str:
    """One self-contained HTML page: intro lines, summary tables, and the sortable table.

    Args:
        title: The page title.
        intro: Lines shown under the title.
        columns: The main table's columns.
        rows: Column key -> cell, one mapping per row (missing keys show empty).
        summaries: Tables shown above the main one.
        noun: What a row is ("projects"), for the "N of M shown" line.
    """
    filters = []
    for column in (c for c in columns if c.filter):
        values = sorted({row[column.key].text for row in rows if column.key in row})
        options = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
        filters.append(
            f'<label>{escape(column.label)} <select data-filter="{escape(column.key)}">'
            f'<option value="">all</option>{options}</select></label>'
        )
    head = "".join(
        f'<th data-key="{escape(c.key)}" data-numeric="{int(c.numeric)}" aria-sort="none">'
        f"{escape(c.label)}</th>"
        for c in columns
    )
    empty = Cell("")
    body = "".join(
        "<tr>" + "".join(_cell(c, row.get(c.key, empty)) for c in columns) + "</tr>" for row in rows
    )
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        *(f'<p class="muted">{escape(line)}</p>' for line in intro),
        *(_summary(table) for table in summaries),
        f"<h2>{escape(noun.capitalize())}</h2>",
        '<div class="controls">',
        *filters,
        '<label>search <input id="q" type="search" placeholder="name, path, error"></label>',
        f'<span><span id="shown">{len(rows)} of {len(rows)}</span> {escape(noun)} shown</span>',
        "</div>",
        f'<div class="wrap"><table id="fleet"><thead><tr>{head}</tr></thead>',
        f"<tbody>{body}</tbody></table></div>",
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ]
    return "".join(parts)
