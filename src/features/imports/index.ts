// The imports feature: bulk import of recordings with a CSV/XLSX manifest (CLI and admin page).
import type { Feature } from '../../app-context';

export const importsFeature: Feature = {
  name: 'imports',
};
