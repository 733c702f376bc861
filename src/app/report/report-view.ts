/**
 * Opening a visit's report over the app, and what printing does while it is open. The dialog is put at
 * the end of <body>, outside the app's shadow roots, so that one document-level rule can leave everything
 * else off the paper: the header, the tabs, the app behind the dialog.
 */
import { css } from 'lit';
import '../components/fg-report-dialog.js';
import type { FgReportDialog } from '../components/fg-report-dialog.js';
import type { PhotoRecord } from '../records/screening-record.js';

/**
 * In force only while a report is open (adopted by the document then, dropped when it closes), so that
 * printing the app at other times is left as it was. The page box suits A4 and Letter alike: the report
 * is laid out for the smaller of the two (A4's width, Letter's height).
 */
export const reportPrintStyles = css`
  @page {
    size: portrait;
    margin: 12mm;
  }
  @media print {
    body > :not(fg-report-dialog) {
      display: none !important;
    }
    html,
    body {
      background: #fff !important;
      color: #000 !important;
    }
  }
`;

function adoptPrintStyles(adopt: boolean): void {
  const sheet = reportPrintStyles.styleSheet;
  if (!sheet) return;
  const others = document.adoptedStyleSheets.filter((s) => s !== sheet);
  document.adoptedStyleSheets = adopt ? [...others, sheet] : others;
}

/**
 * Shows the report of a visit (all its photo records) in a modal dialog over the page; the dialog removes
 * itself when closed. An open report is replaced by the new one.
 */
export async function openVisitReport(records: readonly PhotoRecord[]): Promise<FgReportDialog> {
  for (const open of document.querySelectorAll('body > fg-report-dialog')) open.remove();
  const dialog = document.createElement('fg-report-dialog');
  dialog.records = records;
  dialog.addEventListener(
    'fg-report-closed',
    () => {
      dialog.remove();
      if (!document.querySelector('body > fg-report-dialog')) adoptPrintStyles(false);
    },
    { once: true },
  );
  document.body.append(dialog);
  adoptPrintStyles(true);
  await dialog.show();
  return dialog;
}
