// The sales chart, loaded only when the dashboard shows it (recharts is large): a bar per day and
// currency. Amounts arrive as decimal strings; they become numbers here only to be drawn.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface SalesPoint {
  day: string;
  currency: string;
  amount: string;
}

const COLOURS = ['#0b4fa8', '#b35900', '#2e7d32', '#8e24aa', '#c62828'];

/** Bars of sales per day, one series per currency, every day of the window shown (empty days too). */
export default function SalesChart({ days, sales, rtl }: { days: string[]; sales: SalesPoint[]; rtl: boolean }) {
  const currencies = [...new Set(sales.map((s) => s.currency))].sort();
  const data = days.map((day) => {
    const point: Record<string, string | number> = { day: day.slice(5) };
    for (const s of sales) if (s.day === day) point[s.currency] = Number(s.amount);
    return point;
  });
  return (
    <div className="sales-chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" reversed={rtl} />
          <YAxis orientation={rtl ? 'right' : 'left'} />
          <Tooltip />
          <Legend />
          {currencies.map((currency, i) => (
            <Bar key={currency} dataKey={currency} name={currency} fill={COLOURS[i % COLOURS.length]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
