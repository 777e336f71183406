/** The page's globals (window.p2p, window.p2pError), for code run inside pages through page.evaluate. */
import type {} from '../../web/app/console-api';
import type {} from '../../web/app/p2p-app';
