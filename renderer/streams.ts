/**
 * The stream names and labels the pages show. Mirrors main/core/streams/definitions.ts (the renderer
 * may only import shared/); Status carries the authoritative labels at run time.
 */
import type { StreamName } from '../shared/types';

export const streamLabels: Readonly<Record<StreamName, string>> = {
  gl_account: 'GL accounts',
  vendor: 'Vendors',
  department: 'Departments',
  location: 'Locations',
  class: 'Classes',
  employee: 'Employees',
  ap_bill: 'AP bills',
  ap_bill_line: 'AP bill lines',
  ap_payment: 'AP payments',
  ap_payment_detail: 'AP payment-to-bill links',
  gl_detail: 'GL detail',
};

export const streamNames = Object.keys(streamLabels) as StreamName[];

/** The Tableau data source each stream loads when Settings names none. */
export const defaultDatasources: Readonly<Record<StreamName, string>> = {
  gl_account: 'Intacct GL Accounts',
  vendor: 'Intacct Vendors',
  department: 'Intacct Departments',
  location: 'Intacct Locations',
  class: 'Intacct Classes',
  employee: 'Intacct Employees',
  ap_bill: 'Intacct AP Bills',
  ap_bill_line: 'Intacct AP Bill Lines',
  ap_payment: 'Intacct AP Payments',
  ap_payment_detail: 'Intacct AP Payment Details',
  gl_detail: 'Intacct GL Detail',
};
