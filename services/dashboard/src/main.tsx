import { render } from 'preact';
import { keepTokensFresh } from './auth/oidc-tokens.ts';
import { startSession } from './auth/session.ts';
import { Root } from './root.tsx';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

// First thing: the token leaves the address bar, before anything renders.
startSession();
keepTokensFresh();
render(<Root />, document.getElementById('app')!);
