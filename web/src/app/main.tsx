import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../shared/styles.css';
import { MemberApp } from './App';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MemberApp />
  </StrictMode>,
);
