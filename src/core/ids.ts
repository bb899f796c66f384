// Row ids are 32-bit integers (`serial` in PostgreSQL). A reference outside that range names no
// row, and must not reach a query: PostgreSQL refuses such a parameter instead of matching nothing.
export const MAX_ROW_ID = 2_147_483_647;

export function isRowId(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_ROW_ID;
}
