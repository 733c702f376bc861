import './components/fg-app.js';
import { registerServiceWorker } from './service-worker-registration.js';

void registerServiceWorker();
