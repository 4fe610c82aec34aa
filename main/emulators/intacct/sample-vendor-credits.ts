/**
 * Vendor credits of the sample company: negative bills, one per 40 bills, not yet applied (so their
 * TOTALDUE is negative). Intacct also records credits as AP adjustments, but "vendor credits must be
 * entered as a negative bill (not an adjustment)" for some integrations
 * (https://support.bill.com/hc/en-us/articles/204791639-Sage-Intacct-Best-Practices-Vendor-Credits),
 * and Intacct's Pay bills page lists such "inline credits" beside adjustments
 * (https://www.intacct.com/ia/docs/en_US/help_action/Accounts_Payable/Adjustments/ap-adjustments-apply.htm).
 * Derived from the bill numbers with no random draw, and added after every bill and before the
 * payments, so no other record of the sample company changes.
 */
import { DAY_MS, formatDate, formatDateTime } from './intacct-dates';
import { centsToText } from './sample-hash';
import { DEPARTMENTS, type AccountSeed, type VendorSeed } from './sample-reference-data';

export interface VendorCreditInput {
  billCount: number;
  /** The period the bills cover (UTC ms). */
  start: number;
  span: number;
  periodEnd: number;
  vendors: readonly VendorSeed[];
  expense: readonly AccountSeed[];
  opLocations: readonly { id: string; name: string; entity: number }[];
  eurToUsd: number;
}

/** One credit: the APBILL fields (entity fields and RECORDNO added by the caller) and its one line's (RECORDKEY added by the caller). */
export interface VendorCredit {
  vendor: VendorSeed;
  cents: number;
  /** The credit's date (UTC ms). */
  created: number;
  bill: Record<string, string>;
  line: Record<string, string>;
}

export function vendorCredits(x: VendorCreditInput): VendorCredit[] {
  const out: VendorCredit[] = [];
  for (let n = 17; n < x.billCount; n += 40) {
    const vendor = x.vendors[(n * 31) % x.vendors.length]!;
    const created = x.start + Math.floor((x.span * (n / x.billCount) * 0.92) / 1000) * 1000 + 5 * DAY_MS;
    const cents = -(5_000 + ((n * 7919) % 200_000));
    const baseCurr = vendor.entity === 1 ? 'CAD' : 'USD';
    const rate = vendor.currency === 'EUR' ? x.eurToUsd : 1;
    const trx = centsToText(rate === 1 ? cents : Math.round(cents / rate));
    const account = x.expense[n % x.expense.length]!;
    const dept = DEPARTMENTS[n % DEPARTMENTS.length]!;
    const loc = x.opLocations.find((l) => l.entity === vendor.entity) ?? x.opLocations[0]!;
    out.push({
      vendor,
      cents,
      created,
      bill: {
        RECORDTYPE: 'pi',
        RECORDID: `CR${String(n + 1).padStart(6, '0')}`,
        VENDORID: vendor.id,
        VENDORNAME: vendor.name,
        DOCNUMBER: `CM-${n + 1}`,
        DESCRIPTION: `Vendor credit: ${account.title}`,
        STATE: 'Posted',
        RAWSTATE: 'A',
        TERMNAME: vendor.term,
        WHENPOSTED: formatDate(created),
        WHENDUE: formatDate(created + 30 * DAY_MS),
        WHENPAID: '',
        TOTALENTERED: centsToText(cents),
        TOTALPAID: '0',
        TOTALDUE: centsToText(cents),
        TRX_TOTALENTERED: trx,
        TRX_TOTALPAID: '0',
        TRX_TOTALDUE: trx,
        EXCHANGE_RATE: String(rate),
        CURRENCY: vendor.currency,
        BASECURR: baseCurr,
        MODULEKEY: '3.AP',
        WHENCREATED: formatDate(created),
        AUWHENCREATED: formatDateTime(created),
        WHENMODIFIED: formatDateTime(Math.min(created + 600_000, x.periodEnd)),
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      },
      line: {
        LINE_NO: '1',
        ACCOUNTNO: account.no,
        ACCOUNTTITLE: account.title,
        AMOUNT: centsToText(cents),
        TRX_AMOUNT: trx,
        DEPARTMENTID: dept.id,
        DEPARTMENTNAME: dept.title,
        LOCATIONID: loc.id,
        LOCATIONNAME: loc.name,
        VENDORID: vendor.id,
        VENDORNAME: vendor.name,
        CURRENCY: vendor.currency,
        BASECURR: baseCurr,
        EXCHANGE_RATE: String(rate),
        STATE: 'A',
        RECORDTYPE: 'pi',
        ENTRY_DATE: formatDate(created),
        WHENCREATED: formatDateTime(created),
        WHENMODIFIED: formatDateTime(created),
        CREATEDBY: '1',
        MODIFIEDBY: '1',
      },
    });
  }
  return out;
}

/** A payment of the sample company as it is being built: its lines (bill, cash cents, an inline credit). */
export interface CreditablePayment {
  vendor: { id: string };
  at: number;
  items: { bill: number; cents: number; credit?: { key: number; cents: number } }[];
}

/**
 * Applies `credit` (RECORDNO `creditKey`) in full to the first payment of its vendor on or after
 * the credit's date that pays a line larger than it, as an inline credit: the line's cash is less
 * by the credit's amount and it records the credit (APPYMTDETAIL INLINEKEY/INLINEAMOUNT, the
 * fields intacct-objects.md lists; a positive INLINEAMOUNT is UNCONFIRMED against Intacct). Returns
 * the bill it was applied to and when, or undefined when no payment fits.
 */
export function applyCreditInline(payments: CreditablePayment[], credit: VendorCredit, creditKey: number): { bill: number; at: number } | undefined {
  const amount = -credit.cents;
  for (const p of payments) {
    if (p.vendor.id !== credit.vendor.id || p.at < credit.created) continue;
    const item = p.items.find((x) => !x.credit && x.cents > amount);
    if (!item) continue;
    item.cents -= amount;
    item.credit = { key: creditKey, cents: amount };
    return { bill: item.bill, at: p.at };
  }
  return undefined;
}
