import { LandingPage } from '@/lib/ui/landing-page';

// Someone who opens the app's URL directly (not inside MoySklad) learns what it is and where to go.
export default function Home() {
  return <LandingPage />;
}
