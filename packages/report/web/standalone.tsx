/**
 * The page of an exported HTML report: reads the report document embedded in the file and draws it
 * with the console's own report view. Nothing is fetched; the page works from file://.
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import type { ReportDocument } from '../src/report-types.js';
import './report.css';
import { ReportDocumentView } from './report-view.js';
import { markReportData } from './timing.js';

function Standalone(props: { doc: ReportDocument }) {
  const [selected, setSelected] = useState(0);
  return (
    <div class="standalone">
      <header class="topbar">
        <span class="brand">PerfTest</span>
        <span class="topbar-title">{props.doc.title}</span>
      </header>
      <main class="page">
        {props.doc.subtitle && <p class="muted">{props.doc.subtitle}</p>}
        <ReportDocumentView doc={props.doc} selected={selected} onSelect={setSelected} />
        <p class="muted small">Exported {props.doc.generatedAt} · PerfTest Engine</p>
      </main>
    </div>
  );
}

markReportData();
const data = document.getElementById('report-data')?.textContent ?? '{"title":"empty report","generatedAt":"","cases":[]}';
render(<Standalone doc={JSON.parse(data) as ReportDocument} />, document.getElementById('report-root')!);
(window as any).__reportDrawn = true;
