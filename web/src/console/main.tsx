// The console at /admin: the log-in form, then every area found under console/<area>/area.tsx.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { addAreaTranslations } from '../i18n';
import '../style.css';
import { NotFound } from '../NotFound';
import { sortAreas, type ConsoleArea } from './areas';
import { ConsoleLayout } from './ConsoleLayout';

const areas = sortAreas(import.meta.glob<ConsoleArea>('./*/area.tsx', { eager: true, import: 'area' }));
addAreaTranslations(import.meta.glob<Record<string, unknown>>('./*/i18n/*.json', { eager: true, import: 'default' }));
const home = areas.find((area) => area.nav)?.nav?.to ?? '/orders';

const queries = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 10_000 } } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <BrowserRouter basename="/admin">
        <Routes>
          <Route element={<ConsoleLayout areas={areas} />}>
            <Route index element={<Navigate to={home} replace />} />
            {areas.map((area) => (
              <Route key={area.namespace}>{area.routes}</Route>
            ))}
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
