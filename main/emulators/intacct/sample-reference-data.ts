/**
 * Fixed reference data of the sample company, "Harbor & Pine Manufacturing": a mid-sized
 * manufacturer with two entities. Names deliberately include `&`, quotes, apostrophes, accents,
 * non-Latin scripts and commas so that every client path that escapes or parses text is exercised.
 */

/** A GL account: number, title, type (`balancesheet`/`incomestatement`), normal balance, category. */
export interface AccountSeed {
  no: string;
  title: string;
  type: 'balancesheet' | 'incomestatement';
  normal: 'debit' | 'credit';
  category: string;
}

const groups: { start: number; step: number; type: AccountSeed['type']; normal: AccountSeed['normal']; category: string; titles: string[] }[] = [
  {
    start: 1000,
    step: 10,
    type: 'balancesheet',
    normal: 'debit',
    category: 'Cash and Cash Equivalents',
    titles: [
      'Petty Cash',
      'Operating Account - First National',
      'Payroll Account - First National',
      'Money Market - Harbor Trust',
      'Lockbox Account',
      'CAD Operating Account - Banque Laurentienne',
      'Savings Reserve',
      'Undeposited Funds',
      'Cash in Transit',
      'Credit Card Clearing',
    ],
  },
  {
    start: 1200,
    step: 10,
    type: 'balancesheet',
    normal: 'debit',
    category: 'Accounts Receivable',
    titles: [
      'Accounts Receivable - Trade',
      'Allowance for Doubtful Accounts',
      'Accounts Receivable - Intercompany',
      'Employee Advances',
      'Notes Receivable',
      'Unbilled Receivables',
      'Other Receivables',
    ],
  },
  {
    start: 1300,
    step: 10,
    type: 'balancesheet',
    normal: 'debit',
    category: 'Inventory',
    titles: [
      'Raw Materials - Steel',
      'Raw Materials - Aluminum',
      'Raw Materials - Resins & Polymers',
      'Purchased Components',
      'Work in Process',
      'Finished Goods',
      'Inventory in Transit',
      'Inventory Reserve - Obsolescence',
      'Packaging Materials',
      'Spare Parts & Supplies',
    ],
  },
  {
    start: 1400,
    step: 10,
    type: 'balancesheet',
    normal: 'debit',
    category: 'Prepaid Expenses',
    titles: ['Prepaid Insurance', 'Prepaid Rent', 'Prepaid Software Subscriptions', 'Deposits', 'Prepaid Taxes'],
  },
  {
    start: 1500,
    step: 10,
    type: 'balancesheet',
    normal: 'debit',
    category: 'Fixed Assets',
    titles: [
      'Land',
      'Buildings',
      'Building Improvements',
      'Machinery & Equipment',
      'CNC Machines',
      'Tooling & Dies',
      'Vehicles',
      'Forklifts',
      'Furniture & Fixtures',
      'Computer Equipment',
      'Software',
      'Construction in Progress',
      'Accumulated Depreciation - Buildings',
      'Accumulated Depreciation - Machinery',
      'Accumulated Depreciation - Vehicles',
      'Accumulated Depreciation - Other',
    ],
  },
  {
    start: 2000,
    step: 10,
    type: 'balancesheet',
    normal: 'credit',
    category: 'Accounts Payable',
    titles: ['Accounts Payable - Trade', 'Accounts Payable - Intercompany', 'Accrued Purchases (GRNI)', 'Credit Cards Payable', 'Customer Deposits'],
  },
  {
    start: 2100,
    step: 10,
    type: 'balancesheet',
    normal: 'credit',
    category: 'Accrued Liabilities',
    titles: [
      'Accrued Wages',
      'Accrued Vacation',
      'Accrued Bonuses',
      'Accrued Payroll Taxes',
      '401(k) Withholding',
      'Health Insurance Withholding',
      'Accrued Utilities',
      'Accrued Interest',
      'Accrued Warranty',
      'Accrued Freight',
      'Sales Tax Payable',
      'Use Tax Payable',
      'GST/HST Payable',
      'Income Taxes Payable',
    ],
  },
  {
    start: 2500,
    step: 10,
    type: 'balancesheet',
    normal: 'credit',
    category: 'Long-term Liabilities',
    titles: [
      'Line of Credit - Harbor Trust',
      'Term Loan - Equipment',
      'Current Portion of Long-term Debt',
      'Mortgage Payable',
      'Capital Lease Obligations',
      'Deferred Rent',
    ],
  },
  {
    start: 3000,
    step: 10,
    type: 'balancesheet',
    normal: 'credit',
    category: 'Equity',
    titles: ['Common Stock', 'Additional Paid-in Capital', 'Retained Earnings', 'Distributions', 'Cumulative Translation Adjustment'],
  },
  {
    start: 4000,
    step: 10,
    type: 'incomestatement',
    normal: 'credit',
    category: 'Revenue',
    titles: [
      'Product Sales - Industrial Valves',
      'Product Sales - Pumps',
      'Product Sales - Custom Fabrication',
      'Product Sales - Replacement Parts',
      'Service Revenue - Field Service',
      'Service Revenue - Repairs',
      'Freight Revenue',
      'Sales Returns & Allowances',
      'Sales Discounts',
      'Intercompany Sales',
    ],
  },
  {
    start: 5000,
    step: 10,
    type: 'incomestatement',
    normal: 'debit',
    category: 'Cost of Goods Sold',
    titles: [
      'Materials Cost',
      'Direct Labor',
      'Manufacturing Overhead Applied',
      'Freight In',
      'Subcontracted Machining',
      'Scrap & Rework',
      'Inventory Adjustments',
      'Purchase Price Variance',
      'Labor Efficiency Variance',
      'Overhead Volume Variance',
      'Warranty Expense',
      'Royalties',
    ],
  },
  {
    start: 6000,
    step: 10,
    type: 'incomestatement',
    normal: 'debit',
    category: 'Payroll Expenses',
    titles: [
      'Salaries - Administrative',
      'Salaries - Sales',
      'Salaries - Engineering',
      'Hourly Wages - Plant',
      'Overtime',
      'Bonuses & Commissions',
      'Payroll Taxes',
      'Health Insurance',
      '401(k) Match',
      "Workers' Compensation",
      'Temporary Labor',
      'Recruiting',
    ],
  },
  {
    start: 6200,
    step: 10,
    type: 'incomestatement',
    normal: 'debit',
    category: 'Facilities',
    titles: [
      'Rent',
      'Utilities - Electricity',
      'Utilities - Gas & Water',
      'Repairs & Maintenance - Building',
      'Repairs & Maintenance - Equipment',
      'Janitorial',
      'Security',
      'Property Taxes',
      'Waste Disposal',
    ],
  },
  {
    start: 6400,
    step: 10,
    type: 'incomestatement',
    normal: 'debit',
    category: 'Selling, General & Administrative',
    titles: [
      'Advertising',
      'Trade Shows',
      'Travel',
      'Meals & Entertainment',
      'Office Supplies',
      'Postage & Shipping',
      'Telephone & Internet',
      'Software Subscriptions',
      'IT Services',
      'Legal Fees',
      'Audit & Accounting Fees',
      'Consulting',
      'Insurance - General Liability',
      'Insurance - Property',
      'Bank Fees',
      'Dues & Subscriptions',
      'Training',
      'Vehicle Expense',
      'Charitable Contributions',
      'Licenses & Permits',
      'Bad Debt Expense',
      'Depreciation Expense',
      'Amortization Expense',
      'Miscellaneous Expense',
    ],
  },
  {
    start: 7000,
    step: 10,
    type: 'incomestatement',
    normal: 'debit',
    category: 'Other Income & Expense',
    titles: [
      'Interest Income',
      'Interest Expense',
      'Gain/Loss on Disposal of Assets',
      'Foreign Exchange Gain/Loss',
      'Realized FX Gain/Loss',
      'Other Income',
      'Income Tax Expense - Federal',
      'Income Tax Expense - State',
      'Income Tax Expense - Provincial',
    ],
  },
];

/** The chart of accounts (~150 accounts), in account-number order. */
export const ACCOUNTS: readonly AccountSeed[] = groups.flatMap((g) =>
  g.titles.map((title, i) => ({ no: String(g.start + i * g.step), title, type: g.type, normal: g.normal, category: g.category })),
);

/**
 * Entities of the multi-entity company (MEGAENTITYKEY/ID/NAME, intacct-xml.md §3.3). CA-HP is a
 * private entity: at the top level, `query` hides its records unless `showprivate` is set (§3.3),
 * so the emulator exercises that option.
 */
export const ENTITIES = [
  { key: '1', id: 'US-HP', name: 'Harbor & Pine Manufacturing, Inc.', private: false },
  { key: '2', id: 'CA-HP', name: 'Harbor & Pine Québec Ltée', private: true },
] as const;

/** Departments: id, title, parent. */
export const DEPARTMENTS: readonly { id: string; title: string; parent: string }[] = [
  { id: '100', title: 'Executive', parent: '' },
  { id: '110', title: 'Finance & Accounting', parent: '100' },
  { id: '120', title: 'Human Resources', parent: '100' },
  { id: '130', title: 'IT', parent: '100' },
  { id: '200', title: 'Sales', parent: '' },
  { id: '210', title: 'Marketing', parent: '200' },
  { id: '220', title: 'Customer Service', parent: '200' },
  { id: '300', title: 'Operations', parent: '' },
  { id: '310', title: 'Production - Machining', parent: '300' },
  { id: '320', title: 'Production - Assembly', parent: '300' },
  { id: '330', title: 'Quality Assurance', parent: '300' },
  { id: '340', title: 'Warehouse & Logistics', parent: '300' },
  { id: '400', title: 'Engineering / R&D', parent: '' },
];

/** Locations: id, name, parent, owning entity index. */
export const LOCATIONS: readonly { id: string; name: string; parent: string; entity: 0 | 1 }[] = [
  { id: 'US-HP', name: 'Harbor & Pine Manufacturing, Inc.', parent: '', entity: 0 },
  { id: 'CLE', name: 'Cleveland Plant', parent: 'US-HP', entity: 0 },
  { id: 'DAY', name: 'Dayton Assembly', parent: 'US-HP', entity: 0 },
  { id: 'PIT', name: 'Pittsburgh Warehouse', parent: 'US-HP', entity: 0 },
  { id: 'HQ', name: 'Headquarters "Harbor Point"', parent: 'US-HP', entity: 0 },
  { id: 'CA-HP', name: 'Harbor & Pine Québec Ltée', parent: '', entity: 1 },
  { id: 'MTL', name: 'Montréal Usine', parent: 'CA-HP', entity: 1 },
  { id: 'TRV', name: 'Trois-Rivières Dépôt', parent: 'CA-HP', entity: 1 },
];

const vendorStems = [
  'Acme Steel',
  'Smith & <Sons> "Ltd"',
  "O'Brien Fasteners",
  'Müller Präzisionsteile',
  'Société Générale d’Usinage',
  'Nordic Bearings',
  'Great Lakes Freight',
  'Ohio Edison',
  'Buckeye Resin & Polymer',
  'Tri-State Welding Supply',
  'Cuyahoga Industrial',
  'Zhang 张 Components',
  'Łódź Castings',
  'Pérez, Gómez y Asociados',
  'Keystone Tool & Die',
  'Allegheny Alloys',
  'Summit Packaging',
  'Lakeshore Electric',
  'Northern Pneumatics',
  'Delta Hydraulics',
  'Prairie Gasket',
  'Granite State Machinery',
  'Blue Ridge Logistics',
  'Hudson Valley Abrasives',
  'Pacific Coast Plastics',
  'Mohawk Safety Supply',
  'Quaker City Paints',
  'Iron Range Metals',
  'Appalachian Timber Pallets',
  'Red River Cartage',
  'Ste-Catherine Électrique',
  'Laurentian Hydro',
  'Maple Leaf Couriers',
  'Château Office Supply',
  'Ünal Makine',
  'Øresund Marine Parts',
  'Kraków Precision',
  'São Paulo Bombas',
  'Café & Bistro Catering',
  'The "Best" Janitorial Co.',
  'A+B Consulting, LLC',
  'Dewey, Cheatham & Howe',
  'Midwest Calibration',
  'Heritage Insurance',
  'Crown Uniforms',
  'Beacon IT Services',
  'Sunrise Temp Staffing',
  'Carolina Copper',
];
const vendorSuffixes = ['', ' Inc.', ' LLC', ' Co.', ' Corp.', ' Ltd.', ' GmbH', ' & Co.', ' Supply', ' Group'];
const vendorTypes = ['Supplier', 'Service Provider', 'Contractor', 'Utility', 'Freight'];
const terms = ['Net 30', 'Net 45', 'Net 60', '2% 10 Net 30', 'Due on Receipt'];

/** A vendor seed: deterministic from its index. */
export interface VendorSeed {
  id: string;
  name: string;
  type: string;
  term: string;
  /** The vendor's billing currency; EUR vendors bill the US entity in euros (multi-currency). */
  currency: 'USD' | 'CAD' | 'EUR';
  entity: 0 | 1;
}

/** `count` vendors with unique ids and names (several hundred by default). */
export function vendorSeeds(count: number): VendorSeed[] {
  const out: VendorSeed[] = [];
  for (let i = 0; i < count; i++) {
    const stem = vendorStems[i % vendorStems.length]!;
    const round = Math.floor(i / vendorStems.length);
    const suffix = vendorSuffixes[round % vendorSuffixes.length]!;
    const name = round < vendorSuffixes.length ? stem + suffix : `${stem}${suffix} #${round}`;
    const canadian = /[éèàôÉ]|Laurentian|Maple|Château|Québec/.test(stem);
    const european = /Müller|Łódź|Kraków|Øresund|Ünal|Nordic/.test(stem);
    out.push({
      id: `V${String(i + 1).padStart(5, '0')}`,
      name,
      type: vendorTypes[i % vendorTypes.length]!,
      term: terms[(i * 7) % terms.length]!,
      currency: canadian ? 'CAD' : european ? 'EUR' : 'USD',
      entity: canadian ? 1 : 0,
    });
  }
  return out;
}

/** Classes (recorded object CLASS; this company calls them product lines). */
export const CLASSES: readonly { id: string; name: string; parent: string }[] = [
  { id: 'VALVES', name: 'Industrial Valves', parent: '' },
  { id: 'PUMPS', name: 'Pumps & Hydraulics', parent: '' },
  { id: 'FAB', name: 'Custom Fabrication', parent: '' },
  { id: 'PARTS', name: 'Replacement Parts', parent: 'VALVES' },
  { id: 'SVC', name: 'Field Service', parent: '' },
];

/** Employees (recorded object EMPLOYEE): id, name, department, location. */
export const EMPLOYEES: readonly { id: string; name: string; dept: string; loc: string }[] = [
  { id: 'E1001', name: 'Maria Gómez', dept: '110', loc: 'HQ' },
  { id: 'E1002', name: "Liam O'Connor", dept: '310', loc: 'CLE' },
  { id: 'E1003', name: 'Chen Wei 陈伟', dept: '400', loc: 'HQ' },
  { id: 'E1004', name: 'Aisha Patel', dept: '200', loc: 'DAY' },
  { id: 'E1005', name: 'Jean-François Tremblay', dept: '320', loc: 'MTL' },
  { id: 'E1006', name: 'Zoë Müller', dept: '340', loc: 'PIT' },
];

/** Projects and customers, as GL detail carries them in its dimension fields (PROJECTID/CUSTOMERID). */
export const PROJECTS: readonly { id: string; name: string }[] = [
  { id: 'P-2025-01', name: 'Line 4 Retrofit' },
  { id: 'P-2025-02', name: 'ERP Roll-out "Phase 2"' },
  { id: 'P-2025-03', name: 'Montréal Expansion' },
];
export const CUSTOMERS: readonly { id: string; name: string }[] = [
  { id: 'C0001', name: 'Great Lakes Water Authority' },
  { id: 'C0002', name: 'Hydro-Québec' },
  { id: 'C0003', name: 'Steel & Sons Refinery' },
  { id: 'C0004', name: 'Ohio Valley Utilities' },
];

/** The entity id ('' = top level) that owns a location: its own id for an entity-type location. */
export function entityOfLocation(locationId: string): string {
  const loc = LOCATIONS.find((l) => l.id === locationId);
  return loc ? ENTITIES[loc.entity].id : '';
}
