/** Entry of the single-page console. */
import { render } from 'preact';
import '@perftest/report/web/report.css';
import '../styles.css';
import { App } from './app.js';

render(<App />, document.getElementById('app')!);
