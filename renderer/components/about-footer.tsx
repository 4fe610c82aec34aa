/**
 * About, at the foot of Status and Settings (issue #14): the app's version, hyperd's, the OS and
 * the data folder: what a support request needs first, readable without opening a file.
 */
import type { About } from '../../shared/types';

export function AboutFooter({ about }: { about: About }) {
  return (
    <footer className="about" aria-label="About ml-connector" data-testid="about">
      <dl>
        <div>
          <dt>Version</dt>
          <dd data-testid="about-version">ml-connector {about.version}</dd>
        </div>
        <div>
          <dt>Hyper engine</dt>
          <dd data-testid="about-hyperd">{about.hyperdVersion ?? 'not found'}</dd>
        </div>
        <div>
          <dt>System</dt>
          <dd>{about.os}</dd>
        </div>
        <div>
          <dt>Data folder</dt>
          <dd className="mono" data-testid="about-data-dir">
            {about.dataDir}
          </dd>
        </div>
      </dl>
    </footer>
  );
}
