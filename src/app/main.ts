import './components/fg-app.js';
