import { render } from 'preact';
import { startSession } from './auth/session.ts';
import { Root } from './root.tsx';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

// First thing: the token leaves the address bar, before anything renders.
startSession();
render(<Root />, document.getElementById('app')!);
