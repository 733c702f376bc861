import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PhotoRecord } from '../records/screening-record.js';
import { openVisitReport } from './report-view.js';

/** What a "Print report" button sends: the visit whose report to show. */
export interface PrintReportDetail {
  visitId: string;
}

declare global {
  interface HTMLElementEventMap {
    /** Bubbling and composed, from the visit screen's and the history's "Print report" buttons. */
    'fg-print-report': CustomEvent<PrintReportDetail>;
  }
}

/**
 * Answers `fg-print-report` from anywhere inside its host by showing that visit's report, from the
 * records the host has (all of the device's photo records). Works offline: nothing is fetched.
 */
export class ReportController implements ReactiveController {
  private readonly onPrintReport = (event: CustomEvent<PrintReportDetail>) => {
    const { visitId } = event.detail;
    const records = this.records().filter((record) => record.visitId === visitId);
    if (records.length) void openVisitReport(records);
  };

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly records: () => readonly PhotoRecord[],
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('fg-print-report', this.onPrintReport);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('fg-print-report', this.onPrintReport);
  }
}
